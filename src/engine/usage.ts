// GPUBufferUsage / GPUMapMode values as plain numbers: in Node the GPU* globals only exist after
// Dawn has been loaded, and module code must not depend on import order.
export const Usage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
export const MAP_MODE_READ = 0x1;
