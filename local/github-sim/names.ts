// Names for the simulated world: a few famous repositories per language (so charts look
// familiar) and word lists for the thousands of others. Every name fits GitHub's character set.

export interface FamousRepo {
  name: string;
  stars: number;
  databaseId: number;
  /** Renamed one or more simulated days after the world start: the new name and the day. */
  renamedTo?: { name: string; day: number };
}

export const FAMOUS: Record<string, FamousRepo[]> = {
  go: [
    { name: 'golang/go', stars: 130_000, databaseId: 23096959 },
    { name: 'kubernetes/kubernetes', stars: 118_000, databaseId: 20580498 },
    { name: 'fatedier/frp', stars: 96_000, databaseId: 48378947 },
    { name: 'gin-gonic/gin', stars: 84_000, databaseId: 20904437 },
    { name: 'gohugoio/hugo', stars: 82_000, databaseId: 11180687 },
    { name: 'junegunn/fzf', stars: 71_000, databaseId: 13807606 },
    // The article's own example: docker/docker became moby/moby, then jumped.
    { name: 'docker/docker', stars: 69_000, databaseId: 7691631, renamedTo: { name: 'moby/moby', day: 1 } },
    { name: 'syncthing/syncthing', stars: 68_000, databaseId: 11251286 },
    { name: 'caddyserver/caddy', stars: 63_000, databaseId: 21308491 },
    { name: 'prometheus/prometheus', stars: 58_000, databaseId: 6838921 },
    { name: 'traefik/traefik', stars: 54_000, databaseId: 42408804 },
    { name: 'minio/minio', stars: 51_000, databaseId: 29261473 },
    { name: 'etcd-io/etcd', stars: 49_000, databaseId: 11225014 },
    { name: 'hashicorp/terraform', stars: 45_000, databaseId: 17728164 },
    { name: 'spf13/cobra', stars: 41_000, databaseId: 15186264 },
    { name: 'dominikh/go-tools', stars: 6_400, databaseId: 19588286 },
  ],
  rust: [
    { name: 'rust-lang/rust', stars: 104_000, databaseId: 724712 },
    { name: 'denoland/deno', stars: 99_000, databaseId: 133442384 },
    { name: 'tauri-apps/tauri', stars: 88_000, databaseId: 199491632 },
    { name: 'alacritty/alacritty', stars: 57_000, databaseId: 59016563 },
    { name: 'sharkdp/bat', stars: 51_000, databaseId: 130464961 },
    { name: 'BurntSushi/ripgrep', stars: 49_000, databaseId: 57434219 },
    { name: 'starship/starship', stars: 46_000, databaseId: 177446919 },
    {
      name: 'rust-lang-nursery/rustfmt',
      stars: 6_100,
      databaseId: 34922906,
      renamedTo: { name: 'rust-lang/rustfmt', day: 3 },
    },
  ],
  python: [
    { name: 'donnemartin/system-design-primer', stars: 126_000, databaseId: 83222441 },
    { name: 'TheAlgorithms/Python', stars: 112_000, databaseId: 63476337 },
    { name: 'django/django', stars: 81_000, databaseId: 4164482 },
    { name: 'fastapi/fastapi', stars: 79_000, databaseId: 160919119 },
    { name: 'home-assistant/core', stars: 72_000, databaseId: 12888993 },
    { name: 'pallets/flask', stars: 68_000, databaseId: 596892 },
    { name: 'python/cpython', stars: 63_000, databaseId: 81598961 },
    { name: 'ansible/ansible', stars: 62_000, databaseId: 3638964 },
    { name: 'scrapy/scrapy', stars: 53_000, databaseId: 529502 },
    { name: 'kennethreitz/requests', stars: 52_000, databaseId: 1362490, renamedTo: { name: 'psf/requests', day: 2 } },
  ],
};

export const LANGUAGE_DISPLAY: Record<string, string> = {
  go: 'Go',
  rust: 'Rust',
  python: 'Python',
  javascript: 'JavaScript',
  typescript: 'TypeScript',
  java: 'Java',
  c: 'C',
  'c++': 'C++',
  ruby: 'Ruby',
};

/** The top of each language's star distribution (the brief: a heavy tail up to ~130k). */
export const LANGUAGE_TOP: Record<string, number> = { go: 130_000, rust: 104_000, python: 126_000 };

export const OWNER_WORDS = [
  'acme', 'alpine', 'amber', 'apex', 'arrow', 'atlas', 'aurora', 'beacon', 'birch', 'blue', 'bolt',
  'cascade', 'cedar', 'cinder', 'cloud', 'cobalt', 'comet', 'coral', 'crane', 'delta', 'drift', 'ember',
  'falcon', 'fern', 'flint', 'forge', 'fox', 'frost', 'gale', 'garnet', 'glacier', 'granite', 'harbor',
  'hazel', 'helix', 'heron', 'indigo', 'iris', 'jade', 'juniper', 'kestrel', 'lark', 'lumen', 'lynx',
  'maple', 'marble', 'meadow', 'mesa', 'mint', 'nebula', 'nimbus', 'north', 'oak', 'onyx', 'orbit',
  'otter', 'pine', 'pixel', 'plume', 'prism', 'quartz', 'quill', 'raven', 'reef', 'ridge', 'river',
  'sable', 'sage', 'slate', 'solar', 'spruce', 'stone', 'storm', 'summit', 'swift', 'thistle', 'tide',
  'timber', 'topaz', 'vale', 'vector', 'willow', 'wren', 'zephyr',
];
export const OWNER_SUFFIXES = ['', '', '', 'labs', 'hq', 'io', 'dev', 'hub', 'works', 'tech', 'soft', 'systems', 'org'];
export const PERSON_NAMES = [
  'alice', 'amir', 'ana', 'ben', 'chen', 'dana', 'dmitri', 'elena', 'emeka', 'fatima', 'felix', 'hana',
  'ines', 'ivan', 'jonas', 'kai', 'kenji', 'lena', 'li', 'lucas', 'maya', 'mei', 'nadia', 'noah', 'olga',
  'omar', 'priya', 'rafael', 'rosa', 'sam', 'sara', 'tariq', 'tomas', 'uma', 'yuki', 'zoe',
];
export const REPO_WORDS = [
  'api', 'auth', 'bench', 'cache', 'chart', 'cli', 'cluster', 'codec', 'config', 'cron', 'crypto', 'db',
  'diff', 'dns', 'docs', 'echo', 'env', 'events', 'fetch', 'flow', 'fs', 'gateway', 'graph', 'grid',
  'hash', 'http', 'image', 'index', 'json', 'kv', 'lint', 'log', 'mail', 'map', 'mesh', 'metrics', 'mock',
  'net', 'notes', 'orm', 'parser', 'path', 'pipe', 'pool', 'proxy', 'queue', 'rate', 'redis', 'regex',
  'router', 'rpc', 'scan', 'schema', 'shell', 'sql', 'stream', 'sync', 'task', 'term', 'test', 'text',
  'time', 'trace', 'tree', 'ui', 'vault', 'watch', 'web', 'wire', 'yaml', 'zip',
];
export const REPO_ADJECTIVES = ['fast', 'tiny', 'simple', 'lazy', 'micro', 'super', 'mini', 'open', 'smart', 'easy', 'hyper', 'async'];

/** How each language's projects tend to be named (`{w}` is a word). */
export const NAME_PATTERNS: Record<string, string[]> = {
  go: ['go-{w}', '{w}', '{w}', '{w}-go', 'go{w}', '{a}{w}'],
  rust: ['{w}-rs', '{w}', '{w}', 'rust-{w}', '{a}-{w}', '{w}rs'],
  python: ['py{w}', '{w}', '{w}', 'python-{w}', '{w}-py', '{a}_{w}'],
};
export const DEFAULT_NAME_PATTERNS = ['{w}', '{w}', '{a}-{w}', '{w}-{w2}', '{w}.js'];
