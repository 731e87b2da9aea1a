#!/usr/bin/env python3
"""Read (and, for test fixtures, write) PyTorch state-dict .pth files without importing torch.

A .pth written by torch.save (PyTorch >= 1.6) is a zip archive:
  <name>/data.pkl      pickle (protocol 2) of the state dict: an OrderedDict of tensors, each
                       pickled as torch._utils._rebuild_tensor_v2(storage, offset, size,
                       stride, requires_grad, backward_hooks[, metadata]); a storage is a
                       persistent id ('storage', torch.<Type>Storage, key, location, numel)
  <name>/data/<key>    the raw little-endian bytes of storage <key>
  <name>/version, <name>/byteorder
read_state_dict() unpickles data.pkl with a restricted Unpickler that maps exactly these globals
to numpy (anything else is refused, so a .pth cannot run code) and returns {name: np.ndarray}.
write_state_dict() writes the same layout from numpy arrays (used to make the committed test
fixtures; torch.load reads this layout).
"""
import collections
import io
import pickle
import sys
import types
import zipfile

import numpy as np

__all__ = ["PthError", "read_state_dict", "write_state_dict"]

# torch storage class name -> numpy dtype (little-endian).
STORAGE_DTYPES = {
    "FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2",
    "IntStorage": "<i4", "LongStorage": "<i8", "ShortStorage": "<i2",
    "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?",
}


class PthError(Exception):
    pass


class _StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


def _rebuild_tensor(storage, offset, size, stride, *unused):
    size, stride = tuple(size), tuple(stride)
    flat = storage
    if len(size) == 0:
        return flat[offset:offset + 1].reshape(()).copy()
    need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
    if need > flat.size:
        raise PthError(f"tensor of size {size} stride {stride} offset {offset} exceeds its "
                       f"storage of {flat.size} elements")
    view = np.lib.stride_tricks.as_strided(flat[offset:], shape=size,
                                           strides=[s * flat.itemsize for s in stride])
    return np.array(view)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, zf, prefix, path):
        super().__init__(file)
        self.zf, self.prefix, self.path = zf, prefix, path

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return lambda data, requires_grad, hooks: data
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise PthError(f"{self.path}: data.pkl refers to {module}.{name}; only a state dict of "
                       f"plain tensors can be read without torch")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise PthError(f"{self.path}: unexpected persistent id {pid!r}")
        stype, key, _location, numel = pid[1], pid[2], pid[3], pid[4]
        if not isinstance(stype, _StorageType):
            raise PthError(f"{self.path}: storage of unknown type {stype!r}")
        name = f"{self.prefix}data/{key}"
        try:
            raw = self.zf.read(name)
        except KeyError:
            raise PthError(f"{self.path}: storage '{name}' is missing from the archive")
        if len(raw) < numel * stype.dtype.itemsize:
            raise PthError(f"{self.path}: storage '{name}' holds {len(raw)} bytes, expected "
                           f"{numel} x {stype.dtype.itemsize}")
        return np.frombuffer(raw, dtype=stype.dtype, count=numel)


def read_state_dict(path):
    """{tensor name: numpy array} of a torch.save'd state dict (zip format)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise PthError(f"{path}: not a PyTorch zip archive ({e}); the legacy pre-1.6 format is "
                       f"not supported: re-save with torch.save")
    with zf:
        pkl = [n for n in zf.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pkl) != 1:
            raise PthError(f"{path}: expected one <name>/data.pkl in the archive, found {pkl}")
        prefix = pkl[0][:-len("data.pkl")]
        order = zf.read(prefix + "byteorder").decode().strip() if prefix + "byteorder" in zf.namelist() else "little"
        if order != "little":
            raise PthError(f"{path}: byte order '{order}' is not supported")
        obj = _Unpickler(io.BytesIO(zf.read(pkl[0])), zf, prefix, path).load()
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, np.ndarray) for v in obj.values()):
        raise PthError(f"{path}: data.pkl does not hold a state dict of tensors")
    return dict(obj)


# --- writing (fixtures) --------------------------------------------------------------------

def _fake_torch():
    """Stand-ins registered as torch / torch._utils so pickle writes the same globals as
    torch.save (pickle checks that a global resolves to the object it pickles)."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("stand-in")
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    for name in STORAGE_DTYPES:
        setattr(torch, name, type(name, (), {"__module__": "torch"}))
    return torch, utils


class _Tensor:
    def __init__(self, fn, storage, array):
        self.fn, self.storage, self.array = fn, storage, array

    def __reduce__(self):
        a = self.array
        stride = tuple(s // a.itemsize for s in a.strides)
        return (self.fn, (self.storage, 0, a.shape, stride, False, collections.OrderedDict()))


class _Storage:
    def __init__(self, cls, key, numel):
        self.cls, self.key, self.numel = cls, key, numel


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return None


def write_state_dict(path, tensors, archive_name=None):
    """Writes {name: numpy array} as a torch.save zip archive (C-contiguous tensors)."""
    by_dtype = {np.dtype(v): k for k, v in STORAGE_DTYPES.items()}
    archive = archive_name or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    torch, utils = _fake_torch()
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
    try:
        state = collections.OrderedDict()
        blobs = []
        for i, (name, arr) in enumerate(tensors.items()):
            arr = np.ascontiguousarray(arr)
            sname = by_dtype.get(arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype)
            if sname is None:
                raise PthError(f"{name}: dtype {arr.dtype} has no torch storage type here")
            storage = _Storage(getattr(torch, sname), str(i), arr.size)
            state[name] = _Tensor(utils._rebuild_tensor_v2, storage, arr)
            blobs.append((str(i), arr.astype(arr.dtype.newbyteorder("<")).tobytes()))
        buf = io.BytesIO()
        _Pickler(buf, protocol=2).dump(state)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{archive}/data.pkl", buf.getvalue())
        zf.writestr(f"{archive}/byteorder", "little")
        for key, raw in blobs:
            zf.writestr(f"{archive}/data/{key}", raw)
        zf.writestr(f"{archive}/version", "3\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        for k, v in read_state_dict(p).items():
            print(f"{p}: {k} {v.dtype} {list(v.shape)}")
