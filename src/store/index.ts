// Public surface of the store layer (see ARCHITECTURE.md).
export {};
