/**
 * `usersync`: the ops command line (program.ts). Reads DATABASE_URL, NATS_URL and S3_* like the
 * services do. Logs go to stderr, so stdout carries only what scripts read (`KEY=$(usersync key create …)`).
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
