/**
 * s3rver (through the devstack shim) as its own process for the benches: `s3rver.main.ts <dir> <port>`.
 * Stops on SIGTERM.
 */
import { startS3Server } from '@usersync/devstack';

const [directory, port] = process.argv.slice(2);
if (!directory || !port) throw new Error('usage: s3rver.main.ts <directory> <port>');
const s3 = await startS3Server({ directory, port: Number(port) });
process.once('SIGTERM', () => void s3.stop().then(() => process.exit(0)));
