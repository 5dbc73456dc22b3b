"""The assurance register: Parties, assessments, decisions, findings, letters and their audit trail."""
