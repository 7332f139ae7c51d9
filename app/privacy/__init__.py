"""Personal data: downloading it, deleting an account, the privacy notice."""
