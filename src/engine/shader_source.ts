// WGSL lives in shaders/*.wgsl. Under Vite (browser, vitest) the files are bundled with
// import.meta.glob; plain Node (tsx CLI) registers a file-system loader from dawn.ts instead.

type Loader = (name: string) => string;

const bundled: Record<string, string> = {};
try {
  // Vite replaces this call at build time; in plain Node it throws and the loader below is used.
  const mods = import.meta.glob<string>('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });
  for (const [path, src] of Object.entries(mods)) bundled[path.replace(/^.*\/|\.wgsl$/g, '')] = src;
} catch {
  /* not under Vite */
}

let fallback: Loader | null = null;

export function registerShaderLoader(loader: Loader): void {
  fallback = loader;
}

export function shaderSource(name: string): string {
  const src = bundled[name] ?? fallback?.(name);
  if (src === undefined) throw new Error(`shader '${name}' not found: expected shaders/${name}.wgsl`);
  return src;
}
