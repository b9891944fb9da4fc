"""The invoicing pages: hours (members and coordinators), invoices (HR and
the recipient), the invoice run and HR's overview."""
