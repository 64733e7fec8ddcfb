"""Writes models/fixtures/tiny-lingua-mbert-extdata: the tiny mBERT fixture with its weights moved to
ONNX external data (onnx/model.onnx + onnx/model.onnx_data), the layout of the 2.24 GB XLM-R large
export. The browser must hand ORT-web the external data by URL, never as one buffer; the e2e suite
scores with this fixture on WASM to prove that path. It also gets the fp16 variant
(onnx/model_fp16.onnx + model_fp16.onnx_data, converted by scripts/make_large_scorer.py), which
WebGPU runs where the adapter has `shader-f16`.

    /usr/bin/python3 scripts/make_external_data_fixture.py   (Debian's python3-onnx)
"""
import os
import shutil

import onnx

from make_large_scorer import convert_fp16

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "models", "fixtures", "tiny-lingua-mbert")
OUT = os.path.join(ROOT, "models", "fixtures", "tiny-lingua-mbert-extdata")


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "onnx"))
    for name in os.listdir(SRC):
        if os.path.isfile(os.path.join(SRC, name)):
            shutil.copy(os.path.join(SRC, name), os.path.join(OUT, name))
    model = onnx.load(os.path.join(SRC, "onnx", "model.onnx"))
    onnx.save_model(
        model,
        os.path.join(OUT, "onnx", "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.onnx_data",
        size_threshold=0,
    )
    convert_fp16(OUT)
    graph = os.path.getsize(os.path.join(OUT, "onnx", "model.onnx"))
    data = os.path.getsize(os.path.join(OUT, "onnx", "model.onnx_data"))
    print(f"wrote {OUT}: graph {graph} bytes, external data {data} bytes")


if __name__ == "__main__":
    main()
