// Public surface of the ringcentral layer (see ARCHITECTURE.md).
export {};
