// Public surface of the agent layer (see ARCHITECTURE.md).
export {};
