/**
 * Makes a broken copy of an ONNX model for the model-check tests: every float32 initializer's
 * values are overwritten in place with NaN, as a bad export or an fp16 overflow would leave them.
 * The graph still loads and runs; only its outputs are NaN.
 *
 * A minimal protobuf walk (no onnx package needed): ModelProto.graph is field 7, GraphProto
 * initializer field 5, TensorProto data_type field 2 (1 = FLOAT), float_data field 4 (packed),
 * raw_data field 9 — see onnx/onnx.proto. Only lengths are read and values overwritten with the
 * same number of bytes, so no length prefix changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const FLOAT = 1;

function varint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Calls `visit(field, start, end)` for each length-delimited field in buf[from, to). */
function fields(
  buf: Buffer,
  from: number,
  to: number,
  visit: (field: number, start: number, end: number, varintValue?: number) => void,
): void {
  let pos = from;
  while (pos < to) {
    const [key, afterKey] = varint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    pos = afterKey;
    if (wire === 0) {
      const [value, next] = varint(buf, pos);
      visit(field, pos, next, value);
      pos = next;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [length, start] = varint(buf, pos);
      visit(field, start, start + length);
      pos = start + length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** Copies `src` to `dst` with every float32 initializer set to NaN; returns how many were changed. */
export function nanWeights(src: string, dst: string): number {
  const buf = Buffer.from(readFileSync(src));
  let changed = 0;
  fields(buf, 0, buf.length, (field, start, end) => {
    if (field !== 7 || end === undefined) return;
    fields(buf, start, end, (gField, tStart, tEnd) => {
      if (gField !== 5) return;
      let type = 0;
      const data: [number, number][] = [];
      fields(buf, tStart, tEnd, (tField, s, e, value) => {
        if (tField === 2 && value !== undefined) type = value;
        if ((tField === 9 || tField === 4) && value === undefined) data.push([s, e]);
      });
      if (type !== FLOAT) return;
      for (const [s, e] of data) {
        for (let i = s; i + 4 <= e; i += 4) buf.writeFloatLE(NaN, i);
      }
      if (data.length > 0) changed++;
    });
  });
  writeFileSync(dst, buf);
  return changed;
}
