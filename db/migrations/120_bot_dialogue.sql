-- The conversation's language lives on the contact too: a new conversation workflow starts in it, and
-- the order workflow tells the customer about orders in it. Null until the customer's writing showed it.
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS language text CHECK (language IN ('en', 'es', 'pt'));

-- Provisioning used to store the English default payment text; without it the confirmation uses the
-- catalogue's text in the customer's language.
UPDATE clients SET settings = settings #- '{orders,paymentInstructions}'
WHERE settings -> 'orders' ->> 'paymentInstructions' = 'Reply here or use the payment link we send you.';

-- Timezones are validated now; a stored name PostgreSQL does not know either (a typo) becomes UTC, the
-- default, rather than making the whole settings document unreadable.
UPDATE clients SET settings = settings - 'timezone'
WHERE settings ? 'timezone' AND settings ->> 'timezone' NOT IN (SELECT name FROM pg_timezone_names);
