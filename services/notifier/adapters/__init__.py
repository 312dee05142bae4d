"""The notifier's ties to the outside: its tables and ledger storage, the SMTP mailer,
and the email templates."""
