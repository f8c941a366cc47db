#!/usr/bin/env python3
"""maxrss.py MIB COMMAND [ARG...] - run COMMAND and hold it to a memory bound.

Runs COMMAND, then prints "maxrss N MiB (bound MIB MiB)" on standard error
with the peak resident set size the kernel measured for it (wait4's
ru_maxrss), and exits with COMMAND's status, or 99 when the peak went over
MIB.  Under AddressSanitizer (ASAN_OPTIONS set by the test runner) the
shadow memory and quarantine make RSS meaningless: the bound is not
checked, and the line says so.
"""
import os
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    bound = float(sys.argv[1])
    p = subprocess.Popen(sys.argv[2:])
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    mib = ru.ru_maxrss / 1024.0  # Linux reports KiB
    if "ASAN_OPTIONS" in os.environ:
        sys.stderr.write("maxrss %.1f MiB (bound not checked under "
                         "sanitizers)\n" % mib)
        return p.returncode
    sys.stderr.write("maxrss %.1f MiB (bound %g MiB)\n" % (mib, bound))
    if mib > bound:
        sys.stderr.write("maxrss: over the bound\n")
        return 99
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
