// Public surface of the sip layer (see ARCHITECTURE.md).
export {};
