// Public surface of the http layer (see ARCHITECTURE.md).
export {};
