"""How input is declared (settings), checked (checks) and reported (input_errors), for components and stack alike."""
