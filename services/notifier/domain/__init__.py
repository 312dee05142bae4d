"""The notifier's pure rules: what is sent to whom, under which Message-ID, when a
failing delivery is given up and when one is stuck. No database, SMTP, Kafka or templates."""
