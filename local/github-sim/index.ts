// The GitHub simulator: GitHub's GraphQL search over a deterministic simulated world, with
// GitHub's limits and injectable faults. See docs/simulator.md.
export { startGitHubSimulator, type StartedSimulator } from './server.js';
export { createWorld, SimulatedWorld, type SimRepo, type StarEvent, type RepoKind, typicalRate } from './world.js';
export { parseSearchQuery, parseStars } from './query.js';
export { githubSchema, validateGitHubQuery } from './schema.js';
export { HOSTILE_NAMES, SEARCH_CAP } from './search.js';
export { ECHO_TOKEN_MODES } from './types.js';
export type {
  EchoTokenMode,
  FaultOptions,
  GitHubSimulator,
  HostileOptions,
  SimRename,
  SimRepoSnapshot,
  SimStats,
  SimulatorOptions,
  SimWorld,
} from './types.js';
