// The Python project's source files (python-project/ in the repository), the templates of an
// exported training project. Under Vite (browser worker, vitest) they are bundled with
// import.meta.glob; plain Node (the tsx CLI) registers a file-system reader from node_env.ts, as
// shader_source.ts does for WGSL. Paths are relative to python-project/ ('prefix_lab/metrics.py').

const bundled: Record<string, string> = {};
try {
  // Vite replaces this call at build time; in plain Node it throws and the registered reader is used.
  const mods = import.meta.glob<string>(
    ['../../python-project/**/*.{py,md,txt,toml,yaml,json}', '!**/__pycache__/**', '!**/.pytest_cache/**'],
    { query: '?raw', import: 'default', eager: true },
  );
  for (const [p, src] of Object.entries(mods)) bundled[p.replace(/^.*?python-project\//, '')] = src;
} catch {
  /* not under Vite */
}

let fallback: (() => Record<string, string>) | null = null;

/** Node: a function that reads every template file of python-project/. */
export function registerProjectFileReader(reader: () => Record<string, string>): void {
  fallback = reader;
}

/** path -> text of every file of python-project/ (sorted by path). */
export function projectTemplateFiles(): Record<string, string> {
  const files = Object.keys(bundled).length > 0 ? bundled : (fallback?.() ?? {});
  if (Object.keys(files).length === 0) throw new Error('the Python project templates (python-project/) are not available in this build');
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}
