// Typed access to the runs schema for the apply worker (filled in below).
export {};
