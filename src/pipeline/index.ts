// Public surface of the pipeline layer (see ARCHITECTURE.md).
export {};
