"""Training: courses, their sessions, delegates, and the invitations to evaluate them."""
