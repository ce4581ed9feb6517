"""(being written) Its kinds of notification."""
KINDS = ()
