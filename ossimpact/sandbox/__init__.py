"""Local fake Hugging Face, GitHub, OpenDigger and leaderboard servers fed by a synthetic world."""
