#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Makes hostile variants of DSSE envelopes and key files for hostile.sh.

  mangle.py tamper ENV OLD NEW      replace OLD by NEW in the payload, re-encode
  mangle.py flip ENV payload|sig|keyid   flip one bit (payload: one base64 char)
  mangle.py member ENV              add an unknown top-level member
  mangle.py swapsig OUT ENV OTHER   ENV's payload with OTHER's signatures
  mangle.py cut SRC DST N           the first N records of trace SRC as a
                                    valid trace DST (without GPU contexts)
  mangle.py copy SRC DST
  mangle.py flipchar FILE OFFSET    replace the character at OFFSET by another
                                    base64 character
Without arguments, one operation per line of stdin (shell quoting).
Envelopes are written back as canonical JSON (sorted keys, no spaces).
"""
import base64
import json
import sys

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def load(p):
    with open(p) as f:
        return json.load(f)


def save(p, e):
    with open(p, "w") as f:
        f.write(json.dumps(e, sort_keys=True, separators=(",", ":")))


def other(c):
    return B64[(B64.index(c) + 1) % 64] if c in B64 else "A"


def main(a):
    op = a[0]
    if op == "tamper":
        e = load(a[1])
        p = base64.b64decode(e["payload"])
        if a[2].encode() not in p:
            sys.exit("tamper: %r not in the payload" % a[2])
        e["payload"] = base64.b64encode(p.replace(a[2].encode(), a[3].encode())).decode()
        save(a[1], e)
    elif op == "flip":
        e = load(a[1])
        s = e["signatures"][0]
        if a[2] == "payload":
            # a character in the middle: still valid base64, other bytes
            pl = e["payload"]
            i = len(pl) // 2
            e["payload"] = pl[:i] + other(pl[i]) + pl[i + 1:]
        elif a[2] == "sig":
            b = bytearray(base64.b64decode(s["sig"]))
            b[10] ^= 0x01
            s["sig"] = base64.b64encode(bytes(b)).decode()
        elif a[2] == "keyid":
            k = s["keyid"]
            s["keyid"] = k[:5] + ("0" if k[5] != "0" else "1") + k[6:]
        save(a[1], e)
    elif op == "member":
        e = load(a[1])
        e["extra"] = "x"
        save(a[1], e)
    elif op == "swapsig":
        e, o = load(a[2]), load(a[3])
        e["signatures"] = o["signatures"]
        save(a[1], e)
    elif op == "cut":
        import struct
        with open(a[1], "rb") as f:
            b = f.read()
        hs, rs = struct.unpack_from("<HI", b, 10)
        n = int(a[3])
        out = bytearray(b[:hs + rs * n])
        struct.pack_into("<Q", out, 32, n)
        if struct.unpack_from("<H", b, 8)[0] >= 3:
            # version 3: the GPU-context section is not cut to the records; drop it
            struct.pack_into("<Q", out, 288, 0)
        with open(a[2], "wb") as f:
            f.write(out)
    elif op == "copy":
        import shutil
        shutil.copyfile(a[1], a[2])
    elif op == "flipchar":
        with open(a[1]) as f:
            t = f.read()
        i = int(a[2])
        while t[i] not in B64:
            i += 1
        with open(a[1], "w") as f:
            f.write(t[:i] + other(t[i]) + t[i + 1:])
    else:
        sys.exit("unknown operation " + op)


if len(sys.argv) > 1:
    main(sys.argv[1:])
else:
    import shlex
    for line in sys.stdin:
        if line.strip():
            main(shlex.split(line))
