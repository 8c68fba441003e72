// Public surface of the media layer (see ARCHITECTURE.md).
export {};
