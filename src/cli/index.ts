// Public surface of the cli layer (see ARCHITECTURE.md).
export {};
