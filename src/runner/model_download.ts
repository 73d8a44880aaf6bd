// Hugging Face sources for the lab: download into the environment's model cache with progress as
// lab events (and a 'hub-auth' event when an access token may help), list and clear what is cached. Without a cache (an environment that offers none) the
// repo is read in place with HTTP Range requests, as for a plain URL.
import { UrlFolder, type FileFolder } from '../model/file_source.ts';
import { downloadHubRepo, listCachedRepos } from '../model/hf_download.ts';
import { fileUrl, HF_BASE_URL, HubError, parseRepoId } from '../model/hf_hub.ts';
import type { ModelCache } from '../model/model_cache.ts';
import type { CachedModel, LabEvent, ModelSource } from '../protocol/lab.ts';

export interface HubEnvironment {
  modelCache?: ModelCache;
  /** Hub address; tests and mirrors point it elsewhere. */
  hfBaseUrl?: string;
}

export async function hubFolder(
  env: HubEnvironment,
  source: Extract<ModelSource, { kind: 'hf' }>,
  emit: (e: LabEvent) => void,
  signal: AbortSignal,
  token?: string,
): Promise<FileFolder> {
  const base = env.hfBaseUrl ?? HF_BASE_URL;
  if (!env.modelCache) {
    const repo = parseRepoId(source.repo);
    return new UrlFolder(repo, fileUrl(base, repo, source.revision?.trim() || 'main', ''));
  }
  try {
    const { folder } = await downloadHubRepo(source.repo, source.revision, {
      cache: env.modelCache,
      baseUrl: base,
      weights: source.weights,
      ...(token ? { token } : {}),
      signal,
      onProgress: (p) => emit({ type: 'download', ...p }),
    });
    return folder;
  } catch (e) {
    // Errors lose their fields crossing the worker boundary: say "a token may help" as an event.
    if (e instanceof HubError && e.auth) emit({ type: 'hub-auth', repo: source.repo, need: e.auth });
    throw e;
  }
}

export async function cachedModels(env: HubEnvironment): Promise<CachedModel[]> {
  if (!env.modelCache) return [];
  const list = await listCachedRepos(env.modelCache, env.hfBaseUrl ?? HF_BASE_URL);
  return list.map((m) => ({ repo: m.repo, revision: m.revision, bytes: m.bytes ?? 0, savedAt: m.savedAt ?? '' }));
}
