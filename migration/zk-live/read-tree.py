#!/usr/bin/env python3
"""Read a running ZooKeeper ensemble's znode tree, read-only, for `raftka migrate rehearse
--zk-connect` (called by migration/src/zk/live-reader.ts; not meant to be run by hand).

Uses kazoo (Debian: python3-kazoo), a well-kept ZooKeeper client. It connects (read-only
sessions allowed), syncs the path so the server it reads from has caught up with the leader,
takes the server's last zxid (the `srvr` four-letter word), reads every znode under the
connect string's chroot (data, stat, ACL), and takes the server's last zxid again. Equal zxids
mean nothing changed during the read: a consistent view at that zxid. Otherwise it reads again
(up to --attempts times) and, if the tree kept changing, reports the znodes modified after the
read began.

Output on stdout: one line of JSON with what was read (start and end zxid, attempts, changed
paths), then the tree in the JSON znode dump format (zk-fixtures/sample/tree.json) that
migration/src/zk/json-dump-reader.ts parses. Errors: a line on stderr and exit status 2.
"""
import argparse
import base64
import json
import sys

try:
    from kazoo.client import KazooClient
    from kazoo.exceptions import NoNodeError
except ImportError:
    sys.stderr.write("the Python ZooKeeper client kazoo is not installed (Debian: apt-get install python3-kazoo)\n")
    sys.exit(2)


def last_zxid(zk):
    for line in zk.command(b"srvr").splitlines():
        if line.startswith("Zxid:"):
            return int(line.split(":", 1)[1].strip(), 16)
    raise RuntimeError("the server's srvr answer has no Zxid line (is srvr in 4lw.commands.whitelist?)")


def encode(data):
    if data is None:
        return None, None
    try:
        return data.decode("utf-8"), "utf8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def read_tree(zk):
    tree = {}
    pending = ["/"]
    while pending:
        path = pending.pop()
        try:
            data, stat = zk.get(path)
            acls, _ = zk.get_acls(path)
            children = zk.get_children(path)
        except NoNodeError:
            continue  # deleted while we read; the zxid check reports the change
        text, encoding = encode(data)
        tree[path] = {
            "data": text,
            "data_encoding": encoding,
            "czxid": hex(stat.czxid),
            "mzxid": hex(stat.mzxid),
            "pzxid": hex(stat.pzxid),
            "ctime": stat.ctime,
            "mtime": stat.mtime,
            "version": stat.version,
            "cversion": stat.cversion,
            "aversion": stat.aversion,
            "ephemeral_owner": hex(stat.ephemeralOwner),
            "num_children": stat.numChildren,
            "data_length": stat.dataLength,
            "acl": [{"perms": a.perms, "scheme": a.id.scheme, "id": a.id.id} for a in acls],
        }
        for c in children:
            pending.append(("/" if path == "/" else path + "/") + c)
    return tree


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connect", required=True)
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("--attempts", type=int, default=3)
    args = ap.parse_args()
    zk = KazooClient(hosts=args.connect, read_only=True, timeout=args.timeout)
    try:
        zk.start(timeout=args.timeout)
    except Exception as e:  # kazoo raises its own timeout type
        sys.stderr.write("cannot connect to ZooKeeper at %s: %s\n" % (args.connect, e))
        sys.exit(2)
    try:
        for attempt in range(1, args.attempts + 1):
            zk.sync("/")
            start = last_zxid(zk)
            tree = read_tree(zk)
            end = last_zxid(zk)
            changed = sorted(
                p for p, n in tree.items() if int(n["mzxid"], 16) > start or int(n["pzxid"], 16) > start
            )
            if end == start or attempt == args.attempts:
                break
        meta = {"startZxid": hex(start), "endZxid": hex(end), "attempts": attempt, "changed": changed,
                "znodes": len(tree)}
        sys.stdout.write(json.dumps(meta) + "\n")
        json.dump(tree, sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
    except Exception as e:
        sys.stderr.write("reading ZooKeeper at %s failed: %s\n" % (args.connect, e))
        sys.exit(2)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    main()
