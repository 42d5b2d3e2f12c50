"""What people read: terminal views, reports, feeds."""
