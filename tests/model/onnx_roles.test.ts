import { describe, expect, it } from 'vitest';
import { NodeFolder } from '../../src/model/node_files.ts';
import { OnnxModel, openOnnx } from '../../src/model/onnx_reader.ts';
import { placeWeightsByRole } from '../../src/model/onnx_roles.ts';
import { ShardedSafetensors } from '../../src/model/safetensors.ts';
import { weightIndexFromOnnx, weightIndexFromSafetensors, withTiedEmbeddings } from '../../src/model/weight_names.ts';
import { fixturesNote, haveFixtures, maxAbsDiff, tinyDir } from './helpers.ts';

/** The same graph with every initializer called `val_<i>` (in a shuffled order) and every node `node_<i>`. */
async function anonymized(m: OnnxModel, folder: NodeFolder): Promise<OnnxModel> {
  const names = [...m.initializers.keys()];
  const order = names.map((n, i) => [n, (i * 7919) % names.length] as const).sort((a, b) => a[1] - b[1]);
  const rename = new Map(order.map(([n], i) => [n, `val_${i}`]));
  const inits = new Map([...order].map(([n]) => [rename.get(n)!, { ...m.initializers.get(n)!, name: rename.get(n)! }]));
  const nodes = m.nodes.map((n, i) => ({ ...n, name: `node_${n.opType}_${i}`, inputs: n.inputs.map((x) => rename.get(x) ?? x) }));
  const out = new OnnxModel(m.source, m.irVersion, m.opsets, m.producer, m.metadata, nodes, inits, m.inputs, m.outputs);
  await out.resolveExternalData(folder, 'onnx');
  return out;
}

describe.skipIf(!haveFixtures)(`weights placed by their role in the real exports' graphs${fixturesNote}`, () => {
  for (const file of ['model.onnx', 'model_nopast.onnx', 'model_ext.onnx', 'model_fp16_nopast.onnx']) {
    it(`${file}: topology alone places all 39 tensors, with names and without`, async () => {
      const folder = new NodeFolder(tinyDir);
      const st = withTiedEmbeddings(weightIndexFromSafetensors(await ShardedSafetensors.open(folder)));
      const model = await openOnnx(folder, `onnx/${file}`);
      const roles = placeWeightsByRole(model);
      expect(roles.unplaced).toEqual([]);
      expect([...roles.placed.keys()].sort()).toEqual(st.names().sort());
      const anon = weightIndexFromOnnx(await anonymized(model, folder));
      expect(anon.names().sort()).toEqual(st.names().sort());
      expect(anon.unmapped()).toEqual([]);
      for (const name of st.names()) {
        const d = maxAbsDiff(await anon.get(name).read(), await st.get(name).read());
        expect(d, name).toBeLessThanOrEqual(file.includes('fp16') ? 2e-3 : 0);
      }
      expect(anon.get('model.layers.1.self_attn.k_proj.weight').storedName).toMatch(/^val_\d+$/);
      await folder.close();
    });
  }
});
