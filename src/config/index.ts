// Public surface of the config layer (see ARCHITECTURE.md).
export {};
