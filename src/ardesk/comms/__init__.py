"""Mail in and out of a dispute: templated messages to the customer's contacts, replies threaded back."""
