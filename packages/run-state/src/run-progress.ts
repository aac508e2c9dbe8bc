// runs.run_progress: written by the apply worker, read by GetRun (filled in below).
export {};
