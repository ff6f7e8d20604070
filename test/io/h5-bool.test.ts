/**
 * Booleans are written as h5py writes numpy bool (an HDF5 enum over int8, FALSE = 0, TRUE = 1),
 * so Python reads nirkit's bools as numpy.bool_; files of earlier nirkit versions (int8 + the
 * `nirkit_dtype` attribute) still read as bool.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromList, LIF, tensor, type Tensor } from "../../src/ir/index.js";
import { lookup3 } from "../../src/io/h5-bool.js";
import { readH5, h5Child } from "../../src/io/h5.js";
import { read } from "../../src/io/read.js";
import { write } from "../../src/io/write.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-bool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PY = "/usr/bin/python3";
const h5pyMissing = spawnSync(PY, ["-c", "import h5py"], { timeout: 30_000 }).status === 0 ? null : "python3-h5py is not installed (apt-get install -y python3-h5py)";
if (h5pyMissing) console.warn(`[skip] h5py parts of the bool tests: ${h5pyMissing}`);

const lif = () => LIF({ tau: tensor([0.02, 0.02, 0.02]), r: tensor([1, 1, 1]), v_leak: tensor([0, 0, 0]), v_threshold: tensor([1, 1, 1]) });
const mask: Tensor = { dtype: "bool", shape: [3], data: Uint8Array.of(1, 0, 1) };

describe("HDF5 object header checksum", () => {
  it("lookup3 gives the values printed by Jenkins' lookup3.c driver", () => {
    const s = new TextEncoder().encode("Four score and seven years ago");
    expect(lookup3(s, 0)).toBe(0x17770551);
    expect(lookup3(s, 1)).toBe(0xcd628161);
    expect(lookup3(new Uint8Array(0), 0)).toBe(0xdeadbeef);
  });
});

describe("bools in nirkit-written files", () => {
  it("a bool metadata value and a bool array read back in nirkit as bool", async () => {
    const g = fromList(lif());
    g.metadata = { flag: true, off: false, mask };
    const path = join(dir, "bools.nir");
    await write(path, g);
    const back = await read(path);
    expect(back.metadata.flag).toBe(true);
    expect(back.metadata.off).toBe(false);
    expect(back.metadata.mask).toMatchObject({ dtype: "bool", shape: [3], data: Uint8Array.of(1, 0, 1) });
    // no marker attribute any more: the dataset's own type says bool
    const tree = await readH5(path);
    const meta = h5Child(h5Child(tree, "node") as never, "metadata") as { children: { name: string; attrs?: Record<string, unknown>; dtype?: { class: string } }[] };
    for (const c of meta.children) expect(c.dtype?.class).toBe("bool");
  });

  it.skipIf(h5pyMissing !== null)("h5py reads them as numpy.bool_ (the enum h5py writes for numpy bool)", async () => {
    const g = fromList(lif());
    g.metadata = { flag: true, mask };
    const path = join(dir, "bools_py.nir");
    await write(path, g);
    const script = [
      "import sys, h5py, numpy as np",
      "f = h5py.File(sys.argv[1], 'r')",
      "flag = f['node/metadata/flag'][()]; m = f['node/metadata/mask'][()]",
      "t = f['node/metadata/mask'].id.get_type()",
      "print(type(flag).__name__, bool(flag), m.dtype, m.tolist(), t.get_class() == h5py.h5t.ENUM, [(t.get_member_name(i).decode(), t.get_member_value(i)) for i in range(t.get_nmembers())], sorted(f['node/metadata/mask'].attrs.keys()))",
    ].join("\n");
    expect(execFileSync(PY, ["-c", script, path], { encoding: "utf8" }).trim()).toBe("bool_ True bool [True, False, True] True [('FALSE', 0), ('TRUE', 1)] []");
  });

  it.skipIf(h5pyMissing !== null)("an int8 dataset with nirkit_dtype=bool (earlier nirkit files) still reads as bool", async () => {
    const path = join(dir, "legacy.nir");
    await write(path, fromList(lif()));
    execFileSync(PY, ["-c", "import sys, h5py, numpy as np\nwith h5py.File(sys.argv[1], 'r+') as f:\n    g = f['node'].create_group('metadata')\n    d = g.create_dataset('flag', data=np.int8(1))\n    d.attrs['nirkit_dtype'] = 'bool'", path]);
    expect((await read(path)).metadata.flag).toBe(true);
  });
});
