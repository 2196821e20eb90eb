// The GitHub simulator: GitHub's GraphQL search over a deterministic simulated world, with
// GitHub's limits and injectable faults. See docs/simulator.md.

export { parseSearchQuery, parseStars } from './query.js';
export { githubSchema, validateGitHubQuery } from './schema.js';
export { HOSTILE_NAMES, SEARCH_CAP } from './search.js';
export { type StartedSimulator, startGitHubSimulator } from './server.js';
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
export { ECHO_TOKEN_MODES } from './types.js';
export { createWorld, type RepoKind, type SimRepo, SimulatedWorld, type StarEvent, typicalRate } from './world.js';
