"""faq: answer questions from a FAQ file, in terminals, pipes and scripts."""
