#!/usr/bin/env python3
"""Checks OUT/ip/component.xml of a generated design against IEEE 1685-2014 as far as this
machine can without the Accellera schema files: well-formed XML in the 2014 namespace; the
elements the standard requires (component VLNV; per bus interface name, busType VLNV and one
interface mode; per port name and wire direction; per view name; per file name and fileType),
each in the order the schema's sequences give; and the content against the design: every
physical port of a port map is a model port, the model ports are exactly the top module's ports
with their widths, the AXI4-Stream parameters match the tdata/tuser widths, views and file-set
references resolve, and every RTL and .mem file of the design is listed and exists.

usage: ipxact_check.py OUT   (prints what it checked; exit 1 on the first problem)
Then it checks itself: mutants of the file (malformed XML, children out of order, a required
element removed, a .mem file dropped, a port width changed) must each be refused.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = "http://www.accellera.org/XMLSchema/IPXACT/1685-2014"
Q = "{%s}" % NS

# Child order of the 1685-2014 sequences used here (optional elements may be absent).
ORDER = {
    "component": ["vendor", "library", "name", "version", "busInterfaces", "indirectInterfaces",
                  "channels", "remapStates", "addressSpaces", "memoryMaps", "model",
                  "componentGenerators", "choices", "fileSets", "whiteboxElements", "cpus",
                  "otherClockDrivers", "resetTypes", "description", "parameters", "assertions",
                  "vendorExtensions"],
    "busInterface": ["name", "displayName", "description", "isPresent", "busType",
                     "abstractionTypes", "master", "slave", "system", "mirroredMaster",
                     "mirroredSlave", "mirroredSystem", "monitor", "connectionRequired",
                     "bitsInLau", "bitSteering", "endianness", "parameters", "vendorExtensions"],
    "abstractionType": ["viewRef", "abstractionRef", "portMaps"],
    "portMap": ["isPresent", "logicalPort", "physicalPort", "logicalTieOff", "isInformative",
                "vendorExtensions"],
    "model": ["views", "instantiations", "ports"],
    "view": ["name", "displayName", "description", "isPresent", "envIdentifier",
             "componentInstantiationRef", "designInstantiationRef",
             "designConfigurationInstantiationRef", "vendorExtensions"],
    "componentInstantiation": ["name", "displayName", "description", "isVirtual", "language",
                               "libraryName", "packageName", "moduleName", "architectureName",
                               "configurationName", "moduleParameters", "defaultFileBuilder",
                               "fileSetRef", "constraintSetRef", "whiteboxElementRefs",
                               "parameters", "vendorExtensions"],
    "port": ["name", "displayName", "description", "isPresent", "wire", "transactional",
             "arrays", "vendorExtensions"],
    "wire": ["direction", "qualifier", "vectors", "wireTypeDefs", "drivers",
             "constraintSetRefs"],
    "fileSet": ["name", "displayName", "description", "group", "file", "defaultFileBuilder",
                "dependency", "function", "vendorExtensions"],
    "file": ["name", "fileType", "isStructural", "isIncludeFile", "logicalName", "exportedName",
             "buildCommand", "dependency", "define", "imageType", "description",
             "vendorExtensions"],
    "parameter": ["name", "displayName", "description", "vectors", "arrays", "value",
                  "vendorExtensions"],
}
REQUIRED = {
    "component": ["vendor", "library", "name", "version"],
    "busInterface": ["name", "busType"],
    "abstractionType": ["abstractionRef"],
    "portMap": ["logicalPort"],
    "view": ["name"],
    "componentInstantiation": ["name"],
    "port": ["name"],
    "wire": ["direction"],
    "fileSet": ["name"],
    "file": ["name", "fileType"],
    "parameter": ["name", "value"],
}
MODES = {"master", "slave", "system", "mirroredMaster", "mirroredSlave", "mirroredSystem",
         "monitor"}
FILE_TYPES = {"verilogSource", "verilogSource-95", "verilogSource-2001", "systemVerilogSource",
              "vhdlSource", "user", "unknown"}  # the subset relevant here
checks = 0


class CheckError(Exception):
    pass


def fail(msg):
    raise CheckError(msg)


def local(el):
    if not el.tag.startswith(Q):
        fail(f"element {el.tag} is not in the IP-XACT 1685-2014 namespace")
    return el.tag[len(Q):]


def check_structure(el, path):
    global checks
    name = local(el)
    kids = [local(k) for k in el]
    if name in ORDER:
        order = ORDER[name]
        pos = [order.index(k) if k in order else fail(f"{path}: unexpected <{k}> in <{name}>")
               for k in kids]
        if pos != sorted(pos):
            fail(f"{path}: children of <{name}> out of schema order: {kids}")
        for req in REQUIRED.get(name, []):
            if req not in kids:
                fail(f"{path}: <{name}> lacks the required <{req}>")
        checks += 1
    if name == "busInterface" and len([k for k in kids if k in MODES]) != 1:
        fail(f"{path}: a bus interface needs exactly one interface mode, has {kids}")
    if name in ("busType", "abstractionRef"):
        for a in ("vendor", "library", "name", "version"):
            if not el.get(a):
                fail(f"{path}: <{name}> lacks the VLNV attribute {a}")
    if name == "direction" and el.text not in ("in", "out", "inout"):
        fail(f"{path}: direction '{el.text}'")
    if name == "fileType" and el.text not in FILE_TYPES:
        fail(f"{path}: fileType '{el.text}'")
    if name == "fileType" and el.text == "user" and not el.get("user"):
        fail(f"{path}: a fileType 'user' needs the user attribute")
    for k in el:
        check_structure(k, f"{path}/{local(k)}")


def text(el, child):
    c = el.find(Q + child)
    return None if c is None else (c.text or "").strip()


def verilog_ports(top_v, top):
    src = open(top_v).read()
    m = re.search(r"module\s+%s\s*\((.*?)\);" % re.escape(top), src, re.S)
    if not m:
        fail(f"{top_v}: no module {top}")
    ports = {}
    for d, rng, n in re.findall(r"(input|output)\s+wire\s*(\[\s*\d+\s*:\s*0\s*\])?\s*(\w+)",
                                m.group(1)):
        ports[n] = ("in" if d == "input" else "out",
                    int(re.search(r"\d+", rng).group()) + 1 if rng else 0)
    return ports


def check(out, path):
    global checks
    checks = 0
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path}: not well-formed XML: {e}")
    print(f"{path}: well-formed XML")
    if root.tag != Q + "component":
        fail(f"root element is {root.tag}, expected ipxact:component ({NS})")
    check_structure(root, "component")
    print(f"1685-2014 namespace, element order and required elements: {checks} elements checked")

    top = text(root, "name")
    model = root.find(Q + "model")
    ports = {}
    for p in model.iter(Q + "port"):
        w = p.find(Q + "wire")
        left = w.find(f"{Q}vectors/{Q}vector/{Q}left")
        right = w.find(f"{Q}vectors/{Q}vector/{Q}right")
        width = int(left.text) - int(right.text) + 1 if left is not None else 0
        ports[text(p, "name")] = (text(w, "direction"), width)
    rtl = verilog_ports(os.path.join(out, "rtl", top + ".v"), top)
    if ports != rtl:
        fail(f"model ports {ports} != ports of module {top} {rtl}")
    print(f"model ports = the {len(rtl)} ports of module {top} (directions and widths)")

    buses = {}
    for b in root.iter(Q + "busInterface"):
        name = text(b, "name")
        maps = {}
        for pm in b.iter(Q + "portMap"):
            phys = pm.find(f"{Q}physicalPort/{Q}name").text
            if phys not in ports:
                fail(f"bus interface {name}: physical port {phys} is not a model port")
            maps[pm.find(f"{Q}logicalPort/{Q}name").text] = phys
        params = {text(p, "name"): text(p, "value") for p in b.iter(Q + "parameter")}
        buses[name] = (b.find(Q + "busType").get("name"), maps, params)
    for side in ("s_axis", "m_axis"):
        if side not in buses or buses[side][0] != "axis":
            fail(f"no AXI4-Stream bus interface {side}")
        _, maps, params = buses[side]
        for sig in ("TDATA", "TVALID", "TREADY", "TLAST"):
            if maps.get(sig) != f"{side}_{sig.lower()}":
                fail(f"{side}: {sig} maps to {maps.get(sig)}")
        if int(params["TDATA_NUM_BYTES"]) * 8 != ports[f"{side}_tdata"][1]:
            fail(f"{side}: TDATA_NUM_BYTES {params['TDATA_NUM_BYTES']} vs tdata width")
        tuser = ports.get(f"{side}_tuser", (None, 0))[1]
        if int(params["TUSER_WIDTH"]) != tuser or (tuser > 0) != ("TUSER" in maps):
            fail(f"{side}: TUSER_WIDTH {params['TUSER_WIDTH']} vs tuser width {tuser}")
    if buses.get("clk", ("",))[0] != "clock" or buses["clk"][2].get("ASSOCIATED_BUSIF") != "s_axis:m_axis":
        fail("clock interface missing or not associated with s_axis:m_axis")
    if buses.get("rst", ("",))[0] != "reset" or buses["rst"][2].get("POLARITY") != "ACTIVE_HIGH":
        fail("reset interface missing or not active high")
    print(f"bus interfaces: s_axis ({ports['s_axis_tdata'][1]} bits), m_axis "
          f"({ports['m_axis_tdata'][1]} bits, tuser {ports.get('m_axis_tuser', (0, 0))[1]} bits), "
          f"clk (ASSOCIATED_BUSIF s_axis:m_axis), rst (active high)")

    insts = {text(i, "name"): i for i in model.iter(Q + "componentInstantiation")}
    filesets = {text(f, "name"): f for f in root.iter(Q + "fileSet")}
    for v in model.iter(Q + "view"):
        ref = text(v, "componentInstantiationRef")
        if ref not in insts:
            fail(f"view {text(v, 'name')}: instantiation {ref} does not exist")
    for name, inst in insts.items():
        if text(inst, "moduleName") != top:
            fail(f"instantiation {name}: module {text(inst, 'moduleName')} is not {top}")
        for ref in inst.iter(Q + "localName"):
            if ref.text not in filesets:
                fail(f"instantiation {name}: file set {ref.text} does not exist")
    listed = set()
    for fs in filesets.values():
        for f in fs.iter(Q + "file"):
            rel = text(f, "name")
            p = os.path.normpath(os.path.join(out, "ip", rel))
            if not os.path.isfile(p):
                fail(f"file {rel} does not exist ({p})")
            listed.add(os.path.relpath(p, out))
    wanted = {l.strip() for l in open(os.path.join(out, "filelist.f"))
              if l.strip().endswith(".v")}
    wanted |= {os.path.join("mem", m) for m in os.listdir(os.path.join(out, "mem"))}
    if wanted - listed:
        fail(f"design files missing from the file set: {sorted(wanted - listed)}")
    print(f"file set: all {len(wanted)} RTL and .mem files listed and present")


def main():
    out = sys.argv[1]
    path = os.path.join(out, "ip", "component.xml")
    try:
        check(out, path)
    except CheckError as e:
        print(f"FAIL: {e}")
        return 1
    xml = open(path).read()
    mem = re.search(r"\s*<ipxact:file>\s*<ipxact:name>\.\./mem/.*?</ipxact:file>", xml, re.S)
    mutants = {
        "malformed XML": xml.replace("</ipxact:model>", "</ipxact:modle>"),
        "library before vendor": re.sub(r"(<ipxact:vendor>.*?</ipxact:vendor>)\s*"
                                        r"(<ipxact:library>.*?</ipxact:library>)", r"\2\1", xml),
        "no version": re.sub(r"<ipxact:version>.*?</ipxact:version>", "", xml),
        "a .mem file dropped": xml.replace(mem.group(0), "") if mem else None,
        "tdata width changed": xml.replace("<ipxact:name>s_axis_tdata</ipxact:name>\n"
                                           "        <ipxact:wire>\n"
                                           "          <ipxact:direction>in</ipxact:direction>\n"
                                           "          <ipxact:vectors><ipxact:vector><ipxact:left>",
                                           "<ipxact:name>s_axis_tdata</ipxact:name>\n"
                                           "        <ipxact:wire>\n"
                                           "          <ipxact:direction>in</ipxact:direction>\n"
                                           "          <ipxact:vectors><ipxact:vector><ipxact:left>1"),
    }
    mutant_path = os.path.join(out, "ip", "mutant.xml")
    for what, text_ in mutants.items():
        if text_ is None or text_ == xml:
            print(f"FAIL: self-test could not make the mutant '{what}'")
            return 1
        open(mutant_path, "w").write(text_)
        try:
            with open(os.devnull, "w") as quiet:
                stdout, sys.stdout = sys.stdout, quiet
                try:
                    check(out, mutant_path)
                finally:
                    sys.stdout = stdout
        except CheckError as e:
            print(f"self-test: mutant '{what}' refused ({e})")
            continue
        finally:
            os.remove(mutant_path)
        print(f"FAIL: self-test: the mutant '{what}' passed the checks")
        return 1
    print(f"PASS: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
