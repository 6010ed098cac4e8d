/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * A real X11 selection owner for the tests: owns the selection named on the command line
 * (CLIPBOARD_MANAGER, as a clipboard manager does when it starts), says "owned" on its
 * standard output once the X server confirms it, refuses every conversion asked of it,
 * and keeps the selection until it is killed.
 *   selection-owner SELECTION
 */

#include <stdio.h>
#include <X11/Xlib.h>

int
main (int argc, char **argv)
{
  Display *display;
  Window window;
  Atom selection;

  if (argc != 2)
    {
      fprintf (stderr, "usage: selection-owner SELECTION\n");
      return 2;
    }
  display = XOpenDisplay (NULL);
  if (display == NULL)
    {
      fprintf (stderr, "selection-owner: cannot open the display\n");
      return 1;
    }
  window = XCreateSimpleWindow (display, DefaultRootWindow (display), 0, 0, 1, 1, 0, 0, 0);
  selection = XInternAtom (display, argv[1], False);
  XSetSelectionOwner (display, selection, window, CurrentTime);
  if (XGetSelectionOwner (display, selection) != window)
    {
      fprintf (stderr, "selection-owner: did not get %s\n", argv[1]);
      return 1;
    }
  printf ("owned\n");
  fflush (stdout);

  for (;;)
    {
      XEvent event;

      XNextEvent (display, &event);
      if (event.type == SelectionRequest)
        {
          XSelectionEvent reply = { 0 };

          reply.type = SelectionNotify;
          reply.display = display;
          reply.requestor = event.xselectionrequest.requestor;
          reply.selection = event.xselectionrequest.selection;
          reply.target = event.xselectionrequest.target;
          reply.property = None;
          reply.time = event.xselectionrequest.time;
          XSendEvent (display, reply.requestor, False, NoEventMask, (XEvent *) &reply);
          XFlush (display);
        }
    }
}
