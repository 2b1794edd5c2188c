"""Login stages: allauth's phone verification, limited to sign-up.

allauth's own ``PhoneVerificationStage`` runs on every login of an account
whose number is unverified. Our accounts made by staff in the admin (the
number typed at the desk, from the person in front of them) and every account
made before verification was switched on have unverified numbers; a senior who
has logged in for years must not suddenly be stopped by a code at the door.
New numbers are verified where they come in: at sign-up (this stage) and on
allauth's change-number page (its own verification, not a login stage). A
number can also be verified by logging in with an SMS code.
"""

from allauth.account.stages import PhoneVerificationStage


class SignupPhoneVerificationStage(PhoneVerificationStage):
    """Send a code by SMS and ask for it before a new account is signed in.

    Same stage key as allauth's, so that allauth's verification view
    (``account_verify_phone``) serves it.
    """

    def handle(self):
        if not self.login.signup:
            return None, True
        return super().handle()
