#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/TARGET/) and dictionaries (fuzz/dict/):
small, valid inputs of every kind each reader takes, in the shapes the tests use (FAISS files
from faiss-cpu for every fourcc VecTUI reads; .npy of each dtype; fvecs; catalogs; themes;
safetensors, vocab.txt and tokenizer.json trimmed from tests/fixtures/text/models; embedding
server answers). Deterministic: rerunning rewrites the same bytes. Run from anywhere:
    python3 fuzz/make_corpus.py
"""
import io
import json
import os
import shutil
import struct
import sys

import faiss
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
DICT = os.path.join(ROOT, "fuzz", "dict")
MODELS = os.path.join(ROOT, "tests", "fixtures", "text", "models")


def target(name):
    folder = os.path.join(CORPUS, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)

    def put(file, data):
        if isinstance(data, str):
            data = data.encode()
        assert len(data) <= 8192, f"{name}/{file}: {len(data)} bytes, seeds stay small"
        with open(os.path.join(folder, file), "wb") as out:
            out.write(data)
    return put


def dictionary(name, tokens):
    os.makedirs(DICT, exist_ok=True)
    with open(os.path.join(DICT, name + ".dict"), "w") as out:
        out.write(f"# {name}: tokens libFuzzer splices into inputs (written by fuzz/make_corpus.py)\n")
        for token in tokens:
            escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02x}" for c in token)
            out.write(f'"{escaped}"\n')


rng = np.random.default_rng(11)


def vectors(n, d):
    return rng.standard_normal((n, d)).astype("float32")


def faiss_bytes(index):
    return faiss.serialize_index(index).tobytes()


# MARK: - FAISS index files, one or more per fourcc

def faiss_index():
    put = target("faiss-index")
    d = 4
    x = vectors(64, d)
    training = vectors(10000, d)   # enough that k-means has no complaint, even for PQ's 256 centroids
    for name, index in [("flat-l2", faiss.IndexFlatL2(d)), ("flat-ip", faiss.IndexFlatIP(d))]:
        index.add(x[:6])
        put(name, faiss_bytes(index))
    empty = faiss.IndexFlatL2(d)
    put("flat-empty", faiss_bytes(empty))
    idmap = faiss.IndexIDMap(faiss.IndexFlatL2(d))
    idmap.add_with_ids(x[:5], np.array([10, 3, 7, 1 << 40, -5], dtype="int64"))
    put("idmap-flat", faiss_bytes(idmap))
    idmap2 = faiss.IndexIDMap2(faiss.IndexFlatIP(d))
    idmap2.add_with_ids(x[:4], np.array([4, 9, 2, 8], dtype="int64"))
    put("idmap2-flat", faiss_bytes(idmap2))
    for m in (2, 4):
        hnsw = faiss.IndexHNSWFlat(d, m)
        hnsw.add(x[:24])
        put(f"hnsw-m{m}", faiss_bytes(hnsw))
    put("hnsw-empty", faiss_bytes(faiss.IndexHNSWFlat(d, 2)))
    idmap_hnsw = faiss.IndexIDMap(faiss.IndexHNSWFlat(d, 2))
    idmap_hnsw.add_with_ids(x[:8], np.arange(100, 108, dtype="int64"))
    put("idmap-hnsw", faiss_bytes(idmap_hnsw))

    def ivf(index, n, name, direct_map=None):
        index.train(training)
        index.add(x[:n])
        if direct_map is not None:
            index.set_direct_map_type(direct_map)
        index.nprobe = 2
        put(name, faiss_bytes(index))

    ivf(faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, 2), 12, "ivf-flat")
    ivf(faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, 3, faiss.METRIC_INNER_PRODUCT), 9, "ivf-flat-ip")
    ivf(faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, 2), 8, "ivf-flat-array-map", faiss.DirectMap.Array)
    hashed = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, 2)
    hashed.train(training)
    hashed.add_with_ids(x[:6], np.array([5, 50, 500, 7, 70, 700], dtype="int64"))
    hashed.set_direct_map_type(faiss.DirectMap.Hashtable)
    put("ivf-flat-hash-map", faiss_bytes(hashed))
    ivf(faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, 2), 0, "ivf-flat-empty")
    for qtype, name in [(faiss.ScalarQuantizer.QT_8bit, "8bit"), (faiss.ScalarQuantizer.QT_4bit, "4bit"),
                        (faiss.ScalarQuantizer.QT_fp16, "fp16"), (faiss.ScalarQuantizer.QT_6bit, "6bit"),
                        (faiss.ScalarQuantizer.QT_8bit_uniform, "8bit-uniform"),
                        (faiss.ScalarQuantizer.QT_bf16, "bf16"), (faiss.ScalarQuantizer.QT_8bit_direct, "8bit-direct")]:
        if name in ("8bit", "4bit", "fp16", "6bit"):
            ivf(faiss.IndexIVFScalarQuantizer(faiss.IndexFlatL2(d), d, 2, qtype), 10, f"ivf-sq-{name}")
        sq = faiss.IndexScalarQuantizer(d, qtype)
        sq.train(training)
        sq.add(x[:6])
        put(f"sq-{name}", faiss_bytes(sq))
    ivf(faiss.IndexIVFScalarQuantizer(faiss.IndexFlatL2(d), d, 2, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_L2, False),
        10, "ivf-sq-8bit-no-residual")
    ivf(faiss.IndexIVFPQ(faiss.IndexFlatL2(d), d, 2, 2, 4), 10, "ivf-pq")
    ivf(faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, 2, 2, 4, faiss.METRIC_INNER_PRODUCT), 10, "ivf-pq-ip")
    for nbits in (4, 8):
        pq = faiss.IndexPQ(d, 2, nbits)
        pq.train(training)
        pq.add(x[:6])
        put(f"pq-{nbits}bit", faiss_bytes(pq))
    dictionary("faiss-index", ["IxFI", "IxF2", "IxFl", "IxMp", "IxM2", "IHNf", "IwFl", "IwSq", "IwPQ", "IxSQ",
                               "IxPq", "ilar", "full", "sprs", "null", "\x00\x00\x10\x00\x00\x00\x00\x00",
                               "\xff\xff\xff\xff", "\x00\x00\x00\x00\x00\x00\x00\x80"])


# MARK: - Vector files

def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def vector_files():
    put = target("npy")
    x = vectors(3, 4)
    put("f4", npy(x))
    put("f2", npy(x.astype("float16")))
    put("f8", npy(x.astype("float64")))
    put("f4-1d", npy(x[0]))
    put("f4-empty", npy(np.zeros((0, 4), dtype="float32")))
    put("i8", npy(np.array([3, 1, 4, 1 << 40], dtype="int64")))
    put("i8-column", npy(np.array([[2], [7]], dtype="int64")))
    v2 = io.BytesIO()
    np.lib.format.write_array(v2, x, version=(2, 0))
    put("f4-v2", v2.getvalue())
    put("f4-fortran", npy(np.asfortranarray(vectors(2, 3))))
    dictionary("npy", ["\x93NUMPY", "'descr'", "'fortran_order'", "'shape'", "'<f4'", "'<f2'", "'<f8'", "'<i8'",
                       "False", "True", "(", ")", ", ", "{", "}"])
    put = target("fvecs")
    for n, d in [(3, 4), (1, 1), (2, 8)]:
        rows = vectors(n, d)
        put(f"n{n}-d{d}", b"".join(struct.pack("<i", d) + row.tobytes() for row in rows))


# MARK: - Catalogs and themes

def catalogs():
    put = target("catalog-jsonl")
    put("products", "\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": 3, "title": "Red mug", "price": 4.5, "tags": ["kitchen", "red"]},
        {"id": 10, "title": "Café au lait bowl", "brand": "Été", "meta": {"w": 1}},
        {"id": 1099511627776, "name": "中文 lamp", "in_stock": True, "note": None},
    ]) + "\n")
    put("escapes", '{"id": "7", "title": "tab\\there \\"quoted\\" \\u00e9 \\ud83d\\ude00"}\r\n\n{"id":8,"title":""}\n')
    put("bad-lines", '{"id": 1, "title": "ok"}\nnot json\n{"id": 1, "title": "repeat"}\n{"title": "no id"}\n[1,2]\n')
    put("names", '{"name": "first"}\n{"name": "second", "x": -1.5e3}\n')
    dictionary("catalog-jsonl", ['"id"', '"title"', '"name"', "{", "}", "[", "]", ":", ",", '"', "\\u", "\\ud83d",
                                 "true", "false", "null", "-1.5e3", "\\\"", "\n"])
    put = target("catalog-csv")
    put("products", 'id,title,price\n3,Red mug,4.5\n10,"Café, au lait",3\n1099511627776,"said ""hi""",0\n')
    put("multiline", 'id,title,note\r\n1,"two\nlines",x\r\n2,plain,"a,b"\r\n')
    put("bad-rows", 'id,title\n1,ok\n2\n1,repeat\nx,not an id\n"3,unclosed\n')
    put("names", 'name,colour\nfirst,red\nsecond,blue\n')
    dictionary("catalog-csv", ["id", "title", "name", ",", '"', '""', "\r\n", "\n", "\r"])
    put = target("catalog-filter")
    for name, text in [("words", "nginx web"), ("contains", "section:web nginx"), ("numbers", "price<50 rating>=4"),
                       ("quoted", 'brand:"Acme Co" "http://x"'), ("range", "price>1 price<=12 id!=3"),
                       ("equal", "rating=4.0 section=web"), ("unclosed", 'brand:"Acme'), ("no-value", "price<")]:
        put(name, text)
    dictionary("catalog-filter", [":", "=", "!=", "<", "<=", ">", ">=", '"', " ", "section", "price", "rating", "brand",
                                  "id", "title", "web", "4.5", "-1e3", "nan", "inf"])
    put = target("theme")
    for file in sorted(os.listdir(os.path.join(ROOT, "themes"))):
        with open(os.path.join(ROOT, "themes", file), "rb") as source:
            put(file, source.read())
    put("short", "# a comment\nselection = reverse\nfooter.key = bright-yellow on blue bold # after\ntitle = on default\n")
    dictionary("theme", ["=", " on ", "#", "default", "red", "bright-blue", "bold", "reverse", "dim", "underline",
                         "selection", "footer.key", "\n"])


# MARK: - Encoder files

def safetensors(header, data):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def encoder_files():
    put = target("safetensors")
    put("f32", safetensors({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "pt"}}, bytes(16)))
    put("mixed", safetensors({"a": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
                              "b": {"dtype": "F16", "shape": [1, 1], "data_offsets": [6, 8]},
                              "c": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, bytes(16)))
    put("scalar", safetensors({"s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}, struct.pack("<f", 1.5)))
    # The fixtures' real headers, with each tensor shrunk to two elements.
    for model in sorted(os.listdir(MODELS)):
        with open(os.path.join(MODELS, model, "model.safetensors"), "rb") as source:
            length = struct.unpack("<Q", source.read(8))[0]
            header = json.loads(source.read(length))
        offset, small = 0, {}
        for name, entry in list(header.items())[:6]:
            if name == "__metadata__":
                small[name] = entry
                continue
            size = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}[entry["dtype"]] * 2
            small[name] = {"dtype": entry["dtype"], "shape": [2], "data_offsets": [offset, offset + size]}
            offset += size
        put(model, safetensors(small, bytes(offset)))
    dictionary("safetensors", ['"dtype"', '"shape"', '"data_offsets"', '"__metadata__"', '"F32"', '"F16"', '"BF16"',
                               '"I64"', "[", "]", "{", "}", ",", ":", "-1", "0", "2147483648", "18446744073709551615"])

    put = target("vocabulary")
    put("small", "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b", "caf", "##e", "c", "+", "中", "hello"]) + "\n")
    for model in sorted(os.listdir(MODELS)):
        path = os.path.join(MODELS, model, "vocab.txt")
        if os.path.exists(path):
            with open(path, "rb") as source:
                put(model, b"\n".join(source.read().split(b"\n")[:200]) + b"\n")

    put = target("tokenizer-json")
    for model in sorted(os.listdir(MODELS)):
        path = os.path.join(MODELS, model, "tokenizer.json")
        if not os.path.exists(path):
            continue
        with open(path) as source:
            tokenizer = json.load(source)
        vocab = tokenizer["model"]["vocab"]
        keep = sorted(vocab.items(), key=lambda item: item[1])[:120]
        tokenizer["model"]["vocab"] = dict(keep)
        put(model, json.dumps(tokenizer, ensure_ascii=False, separators=(",", ":")))
    put("minimal", json.dumps({"model": {"type": "WordPiece", "unk_token": "[UNK]",
                                         "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "##b": 4, "\u00e9": 5}},
                               "added_tokens": [{"id": 1, "content": "[CLS]"}]}))
    dictionary("tokenizer-json", ['"model"', '"type"', '"WordPiece"', '"vocab"', '"unk_token"', '"continuing_subword_prefix"',
                                  '"max_input_chars_per_word"', '"normalizer"', '"BertNormalizer"', '"lowercase"',
                                  '"strip_accents"', '"clean_text"', '"handle_chinese_chars"', '"pre_tokenizer"',
                                  '"BertPreTokenizer"', '"added_tokens"', '"content"', '"id"', '"post_processor"',
                                  '"cls"', '"sep"', '"single"', '"SpecialToken"', '"[CLS]"', '"[SEP]"', '"[UNK]"',
                                  '"##"', "true", "false", "null", "{", "}", "[", "]", ":", ",", "-1", "0",
                                  "2147483648", "99999999999", "1e300"])

    put = target("embedding-response")
    put("openai", json.dumps({"object": "list", "model": "m", "data": [
        {"object": "embedding", "index": 0, "embedding": [0.1, -0.2, 3e-5, 1]}], "usage": {"prompt_tokens": 2}}))
    put("two-reordered", json.dumps({"data": [{"index": 1, "embedding": [1, 2]}, {"index": 0, "embedding": [3, 4]}]}))
    put("base64", json.dumps({"data": [{"embedding": "AACAPwAAAEA="}, {"embedding": "AAAAAA=="}]}))
    put("error-openai", json.dumps({"error": {"message": "model not found", "type": "invalid_request_error"}}))
    put("error-fastapi", json.dumps({"detail": [{"loc": ["body", "input"], "msg": "field required"}]}))
    put("error-text", "Internal Server Error\n")
    dictionary("embedding-response", ['"data"', '"index"', '"embedding"', '"error"', '"message"', '"detail"', '"msg"',
                                      '"loc"', "1e39", "-0", "-1", "2147483648", "99999999999", "true", "false",
                                      "null", "{", "}", "[", "]", ":", ","])


if __name__ == "__main__":
    faiss_index()
    vector_files()
    catalogs()
    encoder_files()
    for name in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, name))
        size = sum(os.path.getsize(os.path.join(CORPUS, name, f)) for f in files)
        print(f"{name}: {len(files)} seeds, {size} bytes", file=sys.stderr)
