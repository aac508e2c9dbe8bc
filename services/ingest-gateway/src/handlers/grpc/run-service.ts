/** The RunService implementation (usersync.runs.v1.RunService), served by ingest-gateway for the portal. */
import type { Pool } from 'pg';
import { runsV1 } from '@usersync/contracts';
import type { GrpcServiceRegistration, ObjectStore } from '@usersync/platform';
import type { RunActions } from '../../usecases/run-actions.command.js';
import type { RunUploader } from '../../usecases/run-upload.js';
import { createConfigHandlers } from './config.handlers.js';
import { createRunCommandHandlers } from './run-commands.handlers.js';
import { createRunQueryHandlers } from './run-queries.handlers.js';

/** Full proto name of the service (also its health-check key). */
export const RUN_SERVICE_NAME = 'usersync.runs.v1.RunService';

export interface RunServiceDeps {
  pool: Pool;
  objects: ObjectStore;
  uploader: RunUploader;
  actions: RunActions;
}

/** Every RunService handler. */
export function createRunServiceHandlers(deps: RunServiceDeps): runsV1.RunServiceServer {
  return {
    ...createRunQueryHandlers(deps),
    ...createRunCommandHandlers(deps),
    ...createConfigHandlers(deps),
  };
}

/** The registration for createGrpcServer. */
export function runServiceRegistration(deps: RunServiceDeps): GrpcServiceRegistration {
  return {
    definition: runsV1.RunServiceService,
    implementation: createRunServiceHandlers(deps),
    name: RUN_SERVICE_NAME,
  };
}
