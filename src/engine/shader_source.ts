// WGSL lives in shaders/*.wgsl, snippets (functions shared by several shaders, WGSL has no includes)
// in shaders/snippets/*.wgsl. Under Vite (browser, vitest) the files are bundled with
// import.meta.glob; plain Node (tsx CLI, bundles) registers a file-system loader from dawn.ts
// instead, which gets names relative to the shaders folder ('rmsnorm', 'snippets/reduce_subgroup').

type Loader = (name: string) => string;

const bundled: Record<string, string> = {};
try {
  // Vite replaces these calls at build time; in plain Node they throw and the loader below is used.
  const mods = import.meta.glob<string>('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });
  const snippets = import.meta.glob<string>('../../shaders/snippets/*.wgsl', { query: '?raw', import: 'default', eager: true });
  for (const [path, src] of Object.entries(mods)) bundled[path.replace(/^.*\/|\.wgsl$/g, '')] = src;
  for (const [path, src] of Object.entries(snippets)) bundled[`snippets/${path.replace(/^.*\/|\.wgsl$/g, '')}`] = src;
} catch {
  /* not under Vite */
}

let fallback: Loader | null = null;

export function registerShaderLoader(loader: Loader): void {
  fallback = loader;
}

function load(name: string): string | undefined {
  try {
    return bundled[name] ?? fallback?.(name);
  } catch {
    return undefined;
  }
}

export function shaderSource(name: string): string {
  const src = load(name);
  if (src === undefined) throw new Error(`shader '${name}' not found: expected shaders/${name}.wgsl`);
  return src;
}

export function snippetSource(name: string): string {
  const src = load(`snippets/${name}`);
  if (src === undefined) throw new Error(`WGSL snippet '${name}' not found: expected shaders/snippets/${name}.wgsl`);
  return src;
}

const DIRECTIVE = /^[ \t]*(?:enable|requires)\b[^;\n]*;[ \t]*$/gm;

/**
 * The module source of a shader and its snippets: global directives (`enable subgroups;`, which WGSL
 * wants before any declaration) hoisted and de-duplicated into the first line, then the snippets in
 * order, then the shader. Module-scope declarations are order-independent, so snippets may use the
 * shader's overrides (e.g. WG) and the shader the snippets' functions.
 */
export function composeShader(shader: string, snippets: readonly string[]): string {
  if (snippets.length === 0) return shaderSource(shader);
  const parts = [...snippets.map((s) => [`snippet ${s}`, snippetSource(s)]), [`shader ${shader}`, shaderSource(shader)]];
  const directives = new Set<string>();
  const bodies = parts.map(([what, src]) => {
    const body = src.replace(DIRECTIVE, (d) => {
      directives.add(d.trim());
      return `// (${d.trim()} hoisted to line 1)`;
    });
    return `// ---- ${what} ----\n${body}`;
  });
  return [[...directives].join(' '), ...bodies].join('\n');
}
