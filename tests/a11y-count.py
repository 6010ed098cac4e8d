#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Walks the accessibility tree (AT-SPI) of the application named APP and prints, for each
# NEEDLE, on one line separated by spaces, in how many accessible objects it occurs: in
# the name, the description or the text. Exit status 2 when APP is not on the bus.
#   a11y-count.py APP NEEDLE…
import sys

import pyatspi


def strings(accessible):
    found = [accessible.name or "", accessible.description or ""]
    try:
        text = accessible.queryText()
        found.append(text.getText(0, -1) or "")
    except Exception:
        pass
    return found


def walk(accessible, needles, counts, depth):
    if depth > 200:
        return
    for string in strings(accessible):
        for i, needle in enumerate(needles):
            if needle in string:
                counts[i] += 1
    for i in range(accessible.childCount):
        child = accessible.getChildAtIndex(i)
        if child is not None:
            walk(child, needles, counts, depth + 1)


def main():
    app_name, needles = sys.argv[1], sys.argv[2:]
    desktop = pyatspi.Registry.getDesktop(0)
    apps = [app for app in desktop if app is not None and app.name == app_name]
    if not apps:
        names = [app.name for app in desktop if app is not None]
        print("a11y-count: %s is not among %s" % (app_name, names), file=sys.stderr)
        sys.exit(2)
    counts = [0] * len(needles)
    for app in apps:
        walk(app, needles, counts, 0)
    print(" ".join(str(count) for count in counts))


main()
