"""Who may do what (one policy), passwords, CSRF protection and secure headers."""
