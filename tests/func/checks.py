# SPDX-License-Identifier: BSD-3-Clause
"""What the functional tests share: named checks that print one line each and
add up, and stopping a dnsyn that runs until a signal."""
import signal
import subprocess


class Checks:
    """check(name, ok, detail): 'ok   name' or 'FAIL name: detail'."""

    def __init__(self):
        self.n = self.failed = 0

    def __call__(self, name, ok, detail=""):
        self.n += 1
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}"
              f"{': ' + str(detail)[:600] if detail and not ok else ''}")
        return ok

    def summary(self):
        """Print the tally; the exit status for main()."""
        print(f"{self.n} checks, {self.failed} failed")
        return 1 if self.failed else 0


def stop(p, sig=signal.SIGINT, timeout=60):
    """Signal a running dnsyn, wait for it (kill it if it hangs): its stderr."""
    if p.poll() is None:
        p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return err
