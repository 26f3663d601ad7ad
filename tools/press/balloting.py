"""``press ballot …``: filing members' ballots (cli layer)."""
