"""Factor library (data files with sources), GWP sets, and resolution by priority and region."""
