// Public surface of the telephony layer (see ARCHITECTURE.md).
export {};
