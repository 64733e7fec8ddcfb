"""Reader and writer of the safetensors format in plain Python + torch.

Why not the `safetensors` package: CI has Debian's torch only. The format is small:
an 8-byte little-endian header length N, N bytes of JSON
`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`
(padded with spaces to a multiple of 8), then the raw little-endian tensor bytes.

    tensors = load_file("model.safetensors")
    save_file({"w": torch.zeros(2, 3)}, "out.safetensors", metadata={"format": "pt"})
"""
from __future__ import annotations

import json
import os
import struct
from typing import Dict, Iterator, List, Optional, Tuple

import torch

DTYPES: Dict[str, torch.dtype] = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES: Dict[torch.dtype, str] = {v: k for k, v in DTYPES.items()}

# The reference implementation refuses headers above 100 MB; so do we (a corrupt length would
# otherwise make us allocate gigabytes).
MAX_HEADER = 100 * 1024 * 1024


def read_header(path: str) -> Tuple[dict, int]:
    """Returns (header dict, offset of the data section)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError(f"{path}: not a safetensors file (shorter than 8 bytes)")
        (n,) = struct.unpack("<Q", raw)
        if n > MAX_HEADER or 8 + n > size:
            raise ValueError(f"{path}: not a safetensors file (header length {n} is impossible)")
        try:
            header = json.loads(f.read(n).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: corrupt safetensors header ({e})") from None
    data_len = size - 8 - n
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        if not 0 <= begin <= end <= data_len:
            raise ValueError(f"{path}: tensor {name} lies outside the file (truncated download?)")
        numel = 1
        for d in info["shape"]:
            numel *= d
        if numel * _itemsize(DTYPES[info["dtype"]]) != end - begin:
            raise ValueError(f"{path}: tensor {name} byte size does not match its shape")
    return header, 8 + n


def _itemsize(dtype: torch.dtype) -> int:
    return torch.tensor([], dtype=dtype).element_size()


def iter_tensors(path: str, names: Optional[List[str]] = None) -> Iterator[Tuple[str, torch.Tensor]]:
    """Yields (name, tensor) one at a time so a shard never has to sit in memory twice."""
    header, base = read_header(path)
    wanted = names if names is not None else [k for k in header if k != "__metadata__"]
    with open(path, "rb") as f:
        for name in wanted:
            info = header[name]
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            buf = bytearray(f.read(end - begin))
            dtype = DTYPES[info["dtype"]]
            if len(buf) == 0:
                t = torch.empty(info["shape"], dtype=dtype)
            else:
                t = torch.frombuffer(buf, dtype=dtype).reshape(info["shape"])
            yield name, t


def load_file(path: str) -> Dict[str, torch.Tensor]:
    return dict(iter_tensors(path))


def metadata(path: str) -> Dict[str, str]:
    header, _ = read_header(path)
    return header.get("__metadata__", {}) or {}


def save_file(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    """Writes atomically (temp file + rename): a crash never leaves a half-written file."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    order = sorted(tensors)
    for name in order:
        t = tensors[name]
        if t.dtype not in NAMES:
            raise ValueError(f"cannot save tensor {name} of dtype {t.dtype}")
        nbytes = t.numel() * t.element_size()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name in order:
            f.write(_tensor_bytes(tensors[name]))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    if t.numel() == 0:
        return b""
    # View as bytes without going through numpy (numpy has no bfloat16).
    return t.view(-1).view(torch.uint8).numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes()


def model_files(model_dir: str) -> List[str]:
    """The safetensors files of an HF checkpoint, single file or sharded with an index."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        files = sorted(set(weight_map.values()))
        missing = [p for p in files if not os.path.exists(os.path.join(model_dir, p))]
        if missing:
            raise ValueError(f"{model_dir}: shards listed in model.safetensors.index.json are missing: {missing}")
        return [os.path.join(model_dir, p) for p in files]
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(single):
        return [single]
    raise ValueError(f"{model_dir}: no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are read)")


def save_sharded(tensors: Iterator[Tuple[str, torch.Tensor]], model_dir: str, max_shard_bytes: int = 4 * 1024**3) -> List[str]:
    """Writes HF-layout shards (model-00001-of-0000N.safetensors + index) or one model.safetensors."""
    shards: List[Dict[str, torch.Tensor]] = [{}]
    size = 0
    total = 0
    for name, t in tensors:
        nbytes = t.numel() * t.element_size()
        if size and size + nbytes > max_shard_bytes:
            shards.append({})
            size = 0
        shards[-1][name] = t
        size += nbytes
        total += nbytes
    meta = {"format": "pt"}
    if len(shards) == 1:
        save_file(shards[0], os.path.join(model_dir, "model.safetensors"), meta)
        return ["model.safetensors"]
    names = []
    weight_map = {}
    for i, shard in enumerate(shards):
        fname = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, os.path.join(model_dir, fname), meta)
        names.append(fname)
        for k in shard:
            weight_map[k] = fname
    tmp = os.path.join(model_dir, "model.safetensors.index.json.partial")
    with open(tmp, "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    os.replace(tmp, os.path.join(model_dir, "model.safetensors.index.json"))
    return names
