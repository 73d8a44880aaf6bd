/**
 * Talking to the Hugging Face Hub: repo ids, the URLs files live at, the repo's file list (with
 * sizes, for an honest progress total) and HTTP failures turned into messages a person can act on
 * (wrong id, gated model, no network). Downloading and caching is in hf_download.ts.
 * An access token (gated repos such as meta-llama/*) is sent as `Authorization: Bearer` only to
 * the hub the lab downloads from (https://huggingface.co unless code points it at a test hub),
 * never to another host (redirects to CDNs carry signed URLs and need none).
 */
import { WEIGHT_CANDIDATES } from './load.ts';

export const HF_BASE_URL = 'https://huggingface.co';

export type HubErrorCode = 'bad-id' | 'not-found' | 'gated' | 'network' | 'cancelled' | 'http' | 'not-a-model';

/** Why a token would help: a gated repo, a 401 (missing or private), or a token the Hub refused. */
export type HubAuthNeed = 'gated' | 'unauthorized' | 'token-refused';

/** A download failure; `code` lets callers tell "fix the id" from "try again later". */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** Set when the Hub's answer (401/403) says an access token, or a better one, may help. */
    readonly auth?: HubAuthNeed,
  ) {
    super(message);
  }
}

/** An access token and the hub it may be sent to. */
export interface HubAuth {
  token: string;
  /** Only URLs on this origin get the token (the lab's hub base URL). */
  base: string;
}

/** The Authorization header for `url`: only when it is on the hub's own origin. */
export function authHeaders(url: string, auth: HubAuth | undefined): Record<string, string> {
  if (!auth?.token) return {};
  return new URL(url).origin === new URL(auth.base).origin ? { Authorization: `Bearer ${auth.token}` } : {};
}

export interface HubFile {
  path: string;
  /** Bytes; 0 when the Hub did not say (the download's Content-Length is used then). */
  size: number;
}

/** What the Hub lists for one repo at one revision; cached so a second load needs no network. */
export interface HubManifest {
  repo: string;
  revision: string;
  files: HubFile[];
  /** Bytes of the files the lab downloaded (config, tokenizer, weights), set once all are cached. */
  bytes?: number;
  savedAt?: string;
}

/**
 * "owner/name", also accepting a pasted model page URL ("https://huggingface.co/owner/name/tree/main").
 * Rejects anything else before a request is made, so a typo gets a precise message.
 */
export function parseRepoId(input: string): string {
  let id = input.trim().replace(/^https?:\/\/(www\.)?huggingface\.co\//, '');
  id = id.replace(/\/(tree|resolve|blob)\/.*$/, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(id)) {
    throw new HubError('bad-id', `'${input}' is not a Hugging Face model id: use owner/name, e.g. meta-llama/Llama-3.2-1B`);
  }
  return id;
}

const trimBase = (base: string) => base.replace(/\/+$/, '');
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** The Hub API answer listing the repo's files with sizes (`blobs=true`). */
export function manifestUrl(base: string, repo: string, revision: string): string {
  return `${trimBase(base)}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** Where a file is downloaded from; also its cache key (it names repo, revision and path). */
export function fileUrl(base: string, repo: string, revision: string, path: string): string {
  return `${trimBase(base)}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

/** Prefix of every manifest key, to list cached repos. */
export function manifestPrefix(base: string): string {
  return `${trimBase(base)}/api/models/`;
}

/** fetch() with network failures and aborts turned into HubErrors; the token only to the hub itself. */
export async function hubFetch(url: string, signal?: AbortSignal, auth?: HubAuth): Promise<Response> {
  try {
    return await fetch(url, { signal, headers: authHeaders(url, auth) });
  } catch (e) {
    if (signal?.aborted) throw new HubError('cancelled', 'download cancelled');
    const host = new URL(url).host;
    throw new HubError('network', `could not reach ${host} (${(e as Error).message}): check the network connection. ` +
      'Models downloaded before load from the cache without a network.');
  }
}

/** Throws the HubError for a non-OK answer about `what` (the repo, or one of its files). */
export async function hubFailure(res: Response, repo: string, what: string, tokenSent = false): Promise<never> {
  const code = res.headers.get('X-Error-Code') ?? '';
  let detail = res.headers.get('X-Error-Message') ?? '';
  if (!detail) {
    const text = await res.text().catch(() => '');
    try {
      detail = String((JSON.parse(text) as { error?: unknown }).error ?? text);
    } catch {
      detail = text;
    }
  }
  detail = detail.slice(0, 200);
  const page = `https://huggingface.co/${repo}`;
  const keep = 'The token is kept for this session only and sent only to huggingface.co.';
  if (code === 'GatedRepo' || /gated|restricted|authorized list/i.test(detail)) {
    if (tokenSent) {
      throw new HubError('gated', `${repo} is a gated model and the token you gave has no access to it (HTTP ${res.status}): ` +
        `accept its license on ${page} with the account the token belongs to, or give another token.`, 'gated');
    }
    throw new HubError('gated', `${repo} is a gated model (HTTP ${res.status}): it needs a Hugging Face access token with access. ` +
      `Accept its license on ${page}, create a read token at https://huggingface.co/settings/tokens and enter it here. ${keep}`, 'gated');
  }
  if (code === 'RevisionNotFound') {
    throw new HubError('not-found', `${repo} has no revision by that name (HTTP ${res.status}): leave Revision empty for main, or check the branch, tag or commit.`);
  }
  if (code === 'EntryNotFound' || (what !== repo && res.status === 404)) {
    throw new HubError('not-found', `${what} is not in ${repo} (HTTP ${res.status}).`);
  }
  if (res.status === 401 && tokenSent && code !== 'RepoNotFound') {
    throw new HubError('not-found', `Hugging Face refused the access token (HTTP 401${detail ? `, ${detail}` : ''}): check it, or give another one.`, 'token-refused');
  }
  if (code === 'RepoNotFound' || res.status === 404 || res.status === 401) {
    // The Hub answers 401 rather than 404 for a missing repo, so as not to reveal private ones.
    throw new HubError('not-found', `${repo} was not found on Hugging Face (HTTP ${res.status}): check the id (owner/name, as on ${page}). ` +
      (tokenSent ? 'A private model also needs a token of an account that can read it.' : `A private model needs a Hugging Face access token: enter one here. ${keep}`),
      res.status === 401 ? (tokenSent ? 'token-refused' : 'unauthorized') : undefined);
  }
  if (res.status === 403) {
    throw new HubError('gated', `${repo}: access denied (HTTP 403${detail ? `, ${detail}` : ''}): the model may be gated or private and need a Hugging Face access token with access.`,
      tokenSent ? 'token-refused' : 'gated');
  }
  if (res.status === 429) throw new HubError('http', `Hugging Face is rate-limiting downloads (HTTP 429): wait a minute and try again.`);
  throw new HubError('http', `${what}: Hugging Face answered HTTP ${res.status}${detail ? ` (${detail})` : ''}; try again later.`);
}

/** The repo's file list from the Hub API. */
export async function fetchManifest(base: string, repo: string, revision: string, signal?: AbortSignal, auth?: HubAuth): Promise<HubManifest> {
  const url = manifestUrl(base, repo, revision);
  const res = await hubFetch(url, signal, auth);
  if (!res.ok) await hubFailure(res, repo, repo, 'Authorization' in authHeaders(url, auth));
  const body = (await res.json()) as { siblings?: { rfilename?: string; size?: number }[] };
  if (!Array.isArray(body.siblings)) throw new HubError('http', `${repo}: the Hub's file list has no 'siblings' (unexpected API answer)`);
  const files = body.siblings
    .filter((s): s is { rfilename: string; size?: number } => typeof s.rfilename === 'string')
    .map((s) => ({ path: s.rfilename, size: typeof s.size === 'number' ? s.size : 0 }));
  return { repo, revision, files };
}

/**
 * The files a load reads, in download order: config first (cheap, fails fast on a non-Llama
 * repo), the tokenizer, then the weights the loader would pick (same order as loadModelFolder).
 * Sharded safetensors add their shards once the index is read; ONNX adds its external data.
 */
export function planFiles(manifest: HubManifest, weights?: string): string[] {
  const has = new Set(manifest.files.map((f) => f.path));
  if (!has.has('config.json')) {
    throw new HubError('not-a-model', `${manifest.repo} has no config.json: it is not a transformers model folder (look for a repo with config.json and safetensors or ONNX weights).`);
  }
  const w = weights ?? WEIGHT_CANDIDATES.find((c) => has.has(c));
  if (!w) {
    throw new HubError('not-a-model', `${manifest.repo} has no weights the lab reads (looked for ${WEIGHT_CANDIDATES.join(', ')}).`);
  }
  const plan = ['config.json', 'tokenizer.json', 'tokenizer_config.json', w].filter((p) => has.has(p) || p === w);
  if (w.endsWith('.onnx')) {
    // External data sits next to the graph: model.onnx_data, model.onnx.data, model.onnx_data_1, ...
    for (const f of manifest.files) if (f.path.startsWith(`${w}_data`) || f.path.startsWith(`${w}.data`)) plan.push(f.path);
  }
  return plan;
}

/** Shard files named by a safetensors index (weight_map values), relative to the repo root. */
export function shardsOf(indexPath: string, indexJson: unknown): string[] {
  const map = (indexJson as { weight_map?: Record<string, string> }).weight_map ?? {};
  const dir = indexPath.includes('/') ? indexPath.slice(0, indexPath.lastIndexOf('/') + 1) : '';
  return [...new Set(Object.values(map))].map((f) => dir + f);
}
