"""Differential check of two authoritative DNS servers (NSD and minisuite), section by section.

Reads a JSON job on stdin: {"a": port, "b": port, "queries": [{"name", "type", "class"?,
"edns"?, "do"?, "payload"?, "tcp"?, "nord"?, "flags"?, "ednsVersion"?, "ednsOptions"?: [[code, hex]],
"opcode"?, "qdcount"?: 0 or 2}]}. Sends every query, with the same ID and bytes, to both
servers on 127.0.0.1, and prints a JSON report: the number of queries and every difference.
Only what the RFCs leave open is normalised; each normalisation says which RFC allows it.
Run with Debian's python3 (dnspython 2.x, package python3-dnspython).
"""
import json
import socket
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rdataclass
import dns.rcode

TIMEOUT = 5.0


def ask(port, wire, tcp):
    if tcp:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(struct.pack("!H", len(wire)) + wire)
            head = b""
            while len(head) < 2:
                chunk = s.recv(2 - len(head))
                if not chunk:
                    raise EOFError("closed")
                head += chunk
            (n,) = struct.unpack("!H", head)
            data = b""
            while len(data) < n:
                chunk = s.recv(n - len(data))
                if not chunk:
                    raise EOFError("closed")
                data += chunk
            return data
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.sendto(wire, ("127.0.0.1", port))
        while True:
            data, _ = s.recvfrom(65535)
            if data[:2] == wire[:2]:
                return data


def rrset_key(rrset):
    # Names keep their case (a client sees it): owners come out in the query's case where they
    # are compressed against the question, in the zone's elsewhere, in NSD as in ours.
    return (rrset.name.to_text(), dns.rdataclass.to_text(rrset.rdclass), dns.rdatatype.to_text(rrset.rdtype))


def records(rrset):
    # RFC 2181 §5: the records of an RRset have no order. The data uncompressed, case kept.
    return sorted(
        (rr_ttl, rd.to_wire().hex())
        for rr_ttl, rd in ((rrset.ttl, rd) for rd in rrset)
    )


def section(msg, which, ordered):
    rrsets = [(rrset_key(r), records(r)) for r in getattr(msg, which)]
    # The answer keeps its RRset order (a CNAME chain is read in order, RFC 1034 §3.6.2); in
    # authority and additional the RRsets have no order (RFC 1035 §4.1 gives none).
    return rrsets if ordered else sorted(rrsets)


def describe(msg):
    edns = None
    if msg.edns >= 0:
        edns = {
            "version": msg.edns,
            "do": bool(msg.ednsflags & dns.flags.DO),
            # The advertised UDP size is each server's own choice (RFC 6891 §6.2.3): not compared.
            "options": sorted((o.otype, o.to_wire().hex()) for o in msg.options),
        }
    return {
        "rcode": dns.rcode.to_text(msg.rcode()),
        "flags": dns.flags.to_text(msg.flags),
        "opcode": msg.opcode(),
        "question": [(q.name.to_text(), q.rdclass, q.rdtype) for q in msg.question],
        "edns": edns,
        "answer": section(msg, "answer", True),
        "authority": section(msg, "authority", False),
        "additional": section(msg, "additional", False),
    }


def main():
    job = json.load(sys.stdin)
    diffs = []
    errors = []
    # What the reference answered, so the test can see the queries reached every rule.
    seen = {}
    for i, q in enumerate(job["queries"]):
        rdclass = dns.rdataclass.from_text(q.get("class", "IN"))
        msg = dns.message.make_query(
            dns.name.from_text(q["name"]),
            dns.rdatatype.from_text(q["type"]),
            rdclass,
            # False, not None: dnspython turns EDNS on by itself whenever a payload is given.
            use_edns=0 if q.get("edns") else False,
            want_dnssec=bool(q.get("do")),
            payload=q.get("payload", 1232) if q.get("edns") else None,
        )
        if q.get("nord"):
            msg.flags &= ~dns.flags.RD
        if q.get("edns") and ("ednsVersion" in q or "ednsOptions" in q):
            options = [dns.edns.GenericOption(code, bytes.fromhex(data)) for code, data in q.get("ednsOptions", [])]
            msg.use_edns(q.get("ednsVersion", 0), dns.flags.DO if q.get("do") else 0, q.get("payload", 1232), options=options)
        for flag in q.get("flags", []):
            msg.flags |= dns.flags.from_text(flag)
        msg.id = (i * 7919) & 0xFFFF
        wire = bytearray(msg.to_wire())
        # Header tweaks the library will not make: another opcode, a question count that lies.
        if "opcode" in q:
            wire[2] = (wire[2] & 0x87) | ((q["opcode"] & 0xF) << 3)
        if "qdcount" in q:
            struct.pack_into("!H", wire, 4, q["qdcount"])
            if q["qdcount"] == 0:
                end = 12 + len(msg.question[0].name.to_wire()) + 4
                wire = wire[:12] + wire[end:]
            elif q["qdcount"] == 2:
                end = 12 + len(msg.question[0].name.to_wire()) + 4
                wire = wire[:end] + wire[12:end] + wire[end:]
        wire = bytes(wire)
        out = {}
        for side in ("a", "b"):
            try:
                raw = ask(job[side], wire, bool(q.get("tcp")))
                out[side] = describe(dns.message.from_wire(raw, ignore_trailing=False))
            except Exception as err:  # a server that fails to answer is a difference too
                out[side] = {"error": f"{type(err).__name__}: {err}"}
        a = out["a"]
        if "rcode" in a:
            tags = [a["rcode"]] + [f for f in ("TC", "AA") if f in a["flags"].split()]
            if a["rcode"] == "NOERROR" and not a["answer"]:
                tags.append("referral" if any(k[2] == "NS" for k, _ in a["authority"]) and "AA" not in a["flags"] else "nodata")
            if any(k[2] == "RRSIG" for k, _ in a["answer"] + a["authority"]):
                tags.append("RRSIG")
            if any(k[2] == "NSEC" for k, _ in a["authority"]):
                tags.append("NSEC")
            if any(k[2] == "DNAME" for k, _ in a["answer"]):
                tags.append("DNAME")
            if a["additional"]:
                tags.append("glue")
            for t in tags:
                seen[t] = seen.get(t, 0) + 1
        if out["a"] != out["b"]:
            fields = sorted(k for k in set(out["a"]) | set(out["b"]) if out["a"].get(k) != out["b"].get(k))
            diffs.append({"query": q, "fields": fields, "a": {k: out["a"].get(k) for k in fields}, "b": {k: out["b"].get(k) for k in fields}})
    json.dump({"queries": len(job["queries"]), "diffs": diffs, "errors": errors, "seen": seen}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
